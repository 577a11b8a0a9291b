"""Every report caption renders without a docutils system message.

Snakemake's report (snakemake/report/__init__.py) appends its link targets to each caption,
renders the result as a Jinja template (trim_blocks, lstrip_blocks) with a ``snakemake``
object (the job's input, output, params, wildcards, ..., the workflow's config) and passes
the text to ``docutils.core.publish_parts``. Docutils reports what it cannot parse (an
undefined ``|substitution|``, a line over its 10,000-character limit, ...) as a "System
Message" inside the caption instead of failing. Here each caption is rendered the same way
with the default config.yaml and the params its rules give (the Playground links for every
trial they name), and docutils must report nothing at level 2 (warning) or above.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from types import SimpleNamespace

import docutils.core
import jinja2
import pytest

from aeflow.autoencoder import sweeps as ae_sweeps
from aeflow.playground import runs as pg
from aeflow.playground.link import playground_url
from aeflow.workflow import validate_config
from tests.conftest import REPO, SCHEMA, default_config, tiny_playground_config

CAPTIONS = sorted((REPO / "workflow/report").glob("*.rst"))

# Appended by Snakemake to every caption before rendering (no categories or files here).
RST_LINKS = textwrap.dedent("""

.. _Workflow: javascript:show_panel('workflow')
.. _Statistics: javascript:show_panel('statistics')
{% for cat, catresults in categories|dictsort %}
.. _{{ cat.name }}: javascript:app.showCategory('{{ cat.name|urlencode }}')
{% endfor %}
{% for res in files %}
.. _{{ res.target }}: javascript:app.showResultInfo('{{ res.path|urlencode }}')
{% endfor %}
""")


def _config(with_sweeps: bool = False) -> dict:
    """The default config as the workflow sees it: validated, schema defaults filled in.
    ``with_sweeps``: plus autoencoder sweeps and Playground grid and random searches (the
    default config has none), for the captions only their jobs show."""
    config = default_config()
    if with_sweeps:
        config["sweeps"] = {
            "width": {
                "variant": "ae2",
                "grid": {
                    "model.hidden": [[5, 5], [20, 20]],
                    "training.learning_rate": [0.001, 0.01],
                },
            },
            "rate": {"variant": "ae1", "key": "training.learning_rate", "values": [0.001, 0.003]},
            "search": {
                "variant": "ae1",
                "random": {
                    "n": 3,
                    "seed": 1,
                    "space": {"training.learning_rate": {"log_uniform": [1e-4, 1e-2]}},
                },
            },
        }
        searches = tiny_playground_config()["playground"]["sweeps"]
        config["playground"]["sweeps"].update(grid=searches["grid"], search=searches["search"])
    validate_config(config, SCHEMA)
    return config


def _links(config: dict, trials: list[str]) -> list[tuple[str, str]]:
    """As common.smk's playground_links: (trial, URL of its settings on the Playground)."""
    return [(trial, playground_url(pg.trial_settings(config, trial))) for trial in trials]


def _jobs(config: dict, caption: str) -> list[dict]:
    """The params and wildcards of every job whose output carries ``caption`` (as the
    rules in workflow/rules give them); config-only captions get one job without any."""
    sweep_trials = list(dict.fromkeys(record["trial"] for record in pg.sweep_table(config)))
    if caption in ("playground_sweeps", "playground_boundaries", "playground_curves"):
        return [{"params": {"links": _links(config, sweep_trials)}}]
    if caption == "playground_baseline":
        settings = pg.trial_settings(config, pg.BASELINE)
        return [{"params": {"settings": settings, "links": _links(config, [pg.BASELINE])}}]
    if caption == "playground_weights":
        trials = [trial for _, trial in pg.regularization_trials(config)]
        return [{"params": {"links": _links(config, trials)}}]
    if caption == "playground_search":
        return [
            {"wildcards": {"sweep": sweep}, "params": {"form": pg.sweep_form_of(config, sweep)}}
            for sweep in pg.search_sweeps(config)
        ]
    if caption == "sweep":
        forms = ae_sweeps.sweep_forms(config)
        return [
            {"wildcards": {"sweep": sweep}, "params": {"form": forms[sweep]}}
            for sweep in ae_sweeps.sweeps(config)
        ]
    return [{}]


def _rendered(path: Path, config: dict, job: dict) -> str:
    """The caption's text after Jinja, as Snakemake's report hands it to docutils.
    StrictUndefined (Snakemake renders an undefined name as empty text) makes a name
    this test does not provide an error instead of a silently shorter caption."""
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    snakemake = SimpleNamespace(
        config=config,
        params=SimpleNamespace(**job.get("params", {})),
        wildcards=SimpleNamespace(**job.get("wildcards", {})),
    )
    template = env.from_string(path.read_text() + RST_LINKS)
    return template.render(snakemake=snakemake, categories={}, files=[])


def _html(text: str) -> str:
    return docutils.core.publish_string(
        text,
        writer_name="html",
        settings_overrides={"report_level": 2, "halt_level": 5},
    ).decode()


def test_every_caption_is_checked():
    assert CAPTIONS, "no captions under workflow/report"
    rules = "".join(path.read_text() for path in (REPO / "workflow/rules").glob("*.smk"))
    named = {path.name for path in CAPTIONS}
    for line in rules.splitlines():
        if "caption=" in line:
            assert line.split('"')[1].removeprefix("../report/") in named, line


# Snakemake passes writer_name too; docutils announces its removal in 2.0.
@pytest.mark.filterwarnings('ignore:Argument "writer_name":PendingDeprecationWarning')
@pytest.mark.parametrize("path", CAPTIONS, ids=[path.stem for path in CAPTIONS])
def test_caption_renders_without_docutils_messages(path):
    config = _config()
    jobs = _jobs(config, path.stem)
    if not jobs:
        config = _config(with_sweeps=True)
        jobs = _jobs(config, path.stem)
    assert jobs, f"{path.name}: no job shows this caption, even with sweeps added"
    for job in jobs:
        html = _html(_rendered(path, config, job))
        messages = [html[m.start() : m.start() + 300] for m in re.finditer("System Message", html)]
        assert not messages, f"{path.name} {job.get('wildcards', {})}: {messages}"
