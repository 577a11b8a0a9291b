"""`make test` runs on two pytest-xdist workers with `--dist loadgroup`: the tests that read a
run a fixture builds must land on one worker, or that run is built twice (minutes). xdist
marks a group by renaming each test's node id, which pytest 9.2 broke (it moved the id to
another attribute): this checks that the grouping takes effect with the pinned versions."""

import re
import subprocess
import sys
import textwrap

from tests.conftest import REPO


def test_tests_of_one_group_run_on_one_worker(tmp_path):
    """The suite's own grouping hook (tests/conftest.py) on tests that request a fixture of
    ``RUN_GROUPS``."""
    (tmp_path / "conftest.py").write_text(
        f"import sys\nsys.path.insert(0, {str(REPO)!r})\n"
        "from tests.conftest import pytest_collection_modifyitems  # noqa: F401\n"
    )
    (tmp_path / "test_grouped.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.fixture
            def uninterrupted():  # a name in RUN_GROUPS
                return 1

            @pytest.mark.parametrize("i", range(6))
            def test_grouped(uninterrupted, i):
                pass

            @pytest.mark.parametrize("i", range(6))
            def test_free(i):
                pass

            @pytest.fixture(params=["autoencoder", "playground"])
            def finished(request):  # a name in RUN_PARAMETERS
                return request.param

            @pytest.mark.parametrize("i", range(3))
            def test_per_part(finished, i):
                pass
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "2",
         "--dist", "loadgroup", "-v", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
    workers = re.findall(r"\[(gw\d)\].*PASSED .*test_grouped\[\d\]@resumed-job", result.stdout)
    assert len(workers) == 6, result.stdout
    assert len(set(workers)) == 1
    # A parametrised stand-in joins the group of the run its parameter names.
    for part in ("autoencoder", "playground"):
        grouped = re.findall(rf"PASSED .*test_per_part\[{part}-\d\]@finished-{part}", result.stdout)
        assert len(grouped) == 3, result.stdout
