"""The Snakefile and figure/summary jobs stay import-light: no torch, no Lightning."""

import subprocess
import sys

TORCH_FREE = [
    "aeflow.config",
    "aeflow.plots",
    "aeflow.summary",
    "aeflow.playground.runs",
    "aeflow.playground.datasets",
    "aeflow.playground.summary",
    "aeflow.playground.plots",
]


def test_torch_free_modules_import_neither_torch_nor_lightning():
    code = (
        "import sys\n"
        + "".join(f"import {module}\n" for module in TORCH_FREE)
        + "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'pytorch_lightning'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
