"""Part 1 of sheet 6: autoencoders with a 1-D latent code on points of a rectangle.

``settings``, ``runs``, ``pca``, ``summary`` and ``plots`` are torch-free; ``data``,
``models``, ``replicas``, ``lit``, ``training``, ``analysis``, ``checkpoints`` and
``evaluation`` hold the torch side.
"""
