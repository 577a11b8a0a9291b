import os
import stat

import pandas as pd
import pytest

from aeflow.core.atomic import atomic_folder, atomic_path, write_csv, write_text


@pytest.fixture
def umask():
    """Set the process umask for one test, restoring it afterwards."""
    previous = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(previous)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_outputs_get_the_mode_a_plain_open_would_give(tmp_path, umask, mask, mode):
    umask(mask)
    write_text(tmp_path / "a.txt", "x")
    write_csv(pd.DataFrame({"a": [1]}), tmp_path / "sub/b.csv")
    with open(tmp_path / "plain.txt", "w") as handle:
        handle.write("x")
    for name in ("a.txt", "sub/b.csv", "plain.txt"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode, name


def test_a_failed_write_leaves_neither_the_output_nor_a_temporary_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old result")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert target.read_text() == "old result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_folder_output_appears_whole_or_not_at_all(tmp_path):
    target = tmp_path / "models"
    target.mkdir()
    (target / "old.ckpt").write_text("old")
    # A killed attempt's folder is left behind (SIGKILL skips every cleanup).
    (tmp_path / ".models.dead.partial").mkdir()
    (tmp_path / ".models.dead.partial/a.ckpt").write_text("half")
    with pytest.raises(RuntimeError), atomic_folder(target) as tmp:
        (tmp / "a.ckpt").write_text("half")
        raise RuntimeError("killed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models"]
    assert sorted(p.name for p in target.iterdir()) == ["old.ckpt"]
    with atomic_folder(target) as tmp:
        (tmp / "a.ckpt").write_text("a")
        (tmp / "b.ckpt").write_text("b")
    assert sorted(p.name for p in target.iterdir()) == ["a.ckpt", "b.ckpt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models"]


def test_a_temporary_path_handed_to_another_atomic_writer_leaves_no_debris(tmp_path):
    # A job keeps several outputs under temporary names until its last training ends
    # (train_capacity) and hands them to writers that write atomically themselves.
    target = tmp_path / "trained.ckpt"
    with pytest.raises(RuntimeError), atomic_path(target) as outer, atomic_path(outer) as inner:
        inner.write_text("half")
        os.rename(inner, inner.with_name(inner.name + ".kept"))  # as SIGKILL leaves it
        raise RuntimeError("killed")
    assert [p.name.startswith("..trained.ckpt.") for p in tmp_path.iterdir()] == [True]
    with atomic_path(target) as outer, atomic_path(outer) as inner:  # the next attempt
        inner.write_text("whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trained.ckpt"]
    assert target.read_text() == "whole"
