"""Part 2 (bonus) of sheet 6: the TensorFlow Playground's MLP experiments, reproduced.

``settings``, ``datasets``, ``runs``, ``summary`` and ``plots`` are torch-free; ``network``,
``lit`` and ``training`` hold the torch side.
"""
