"""Writing matplotlib figures as workflow outputs (headless, atomic).

The one place the backend is chosen: every figure module takes ``plt`` (pyplot on the
headless Agg backend) from here.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # jobs run headless, on clusters too

import matplotlib.pyplot as plt

from aeflow.core.atomic import atomic_path


def save_figure(fig: plt.Figure, path: str | os.PathLike[str], dpi: int = 120) -> None:
    """Save atomically; the format comes from the final file name's suffix."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=Path(path).suffix.lstrip("."), dpi=dpi, bbox_inches="tight")
    plt.close(fig)
