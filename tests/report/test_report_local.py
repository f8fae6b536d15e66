"""The report of local runs: a real tune-xgboost run, and mocked runs that retry, catch and fail."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sagemaker_sfn.cli import main
from sagemaker_sfn.report.record import load_local

# Every way a page could reach the network: any of these attributes pointing at a URL, or CSS url().
FETCHING_ATTRIBUTES = {"src", "srcset", "data", "poster", "background"}


class Resources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []
        self.scripts = 0
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.scripts += tag == "script"
        for name, value in attrs.items():
            if name in FETCHING_ATTRIBUTES and value:
                self.fetched.append(value)
        if tag == "link":
            self.fetched.append(attrs.get("href", ""))
        if tag == "a":
            self.links.append(attrs.get("href", ""))


def resources(page: str) -> Resources:
    parser = Resources()
    parser.feed(page)
    return parser


def test_tune_xgboost_report_shows_trials_best_predictions_and_fetches_nothing(tune_run: Path, capsys):
    page = (tune_run / "report.html").read_text()
    found = resources(page)
    assert (found.fetched, found.scripts) == ([], 0)
    # url() only for in-page references (#marker-id, #pattern-id), never a file or a host.
    assert re.findall(r"url\((?!#)", page) == [] and "@import" not in page
    # Links to the run's own files are relative and lead to files that exist.
    local = [href for href in found.links if not href.startswith("https://")]
    assert local and all((tune_run / href).exists() for href in local)
    record = load_local(tune_run)
    tuning = next(job for job in record.jobs if job.kind == "HyperParameterTuningJob")
    assert len(tuning.trials) == 4 and sum(t.best for t in tuning.trials) == 1
    best = next(t for t in tuning.trials if t.best)
    assert best.name == tuning.describe["BestTrainingJob"]["TrainingJobName"]
    assert set(best.hyperparameters) == {"eta", "alpha", "gamma", "max_depth"}
    assert page.count('class="trial best"') == 1 and page.count('class="trial"') == 3
    assert page.count("<tr class=best>") == 1
    predictions = re.search(r"<dt>predictions</dt><dd>(s3://[^ ]+) \(<a href=\"([^\"]+)\"", page)
    assert predictions and (tune_run / predictions[2]).is_dir()
    assert 'class="sfn-graph"' in page and 'class="sfn-timeline"' in page
    for state in ("GenerateDataset", "TuneHyperparameters", "CreateBestModel", "BatchTransform"):
        assert re.search(rf'class="state type-Task s-succeeded" data-state="{state}"', page)
    assert re.search(r'class="state type-Fail s-not-reached" data-state="Failed: BatchTransform"', page)


def test_run_summary_ends_with_the_report_and_runs_lists_the_run(tune_run: Path, capsys, monkeypatch):
    monkeypatch.chdir(tune_run.parent.parent)
    assert main(["runs"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["STATUS", "STARTED", "(UTC)", "DURATION", "PIPELINE", "EXECUTION", "BEST", "METRIC"]
    assert re.match(r"SUCCEEDED\s+\S+ \S+\s+[\d.]+ s\s+tune-xgboost\s+tune-1\s+validation:rmse = [\d.]+$", out[1])
    assert main(["runs", "train-evaluate"]) == 0
    assert capsys.readouterr().out == "no executions of train-evaluate under .sfn-local/\n"


def test_logs_prints_a_local_jobs_log(tune_run: Path, capsys, monkeypatch):
    monkeypatch.chdir(tune_run.parent.parent)
    job = next(p.name for p in (tune_run / "jobs").iterdir() if (p / "logs.txt").is_file())
    assert main(["logs", job]) == 0
    assert capsys.readouterr().out == (tune_run / "jobs" / job / "logs.txt").read_text()
    assert main(["logs", job, "--follow"]) == 0      # the run is over: prints and returns
    assert capsys.readouterr().out == (tune_run / "jobs" / job / "logs.txt").read_text()
    assert main(["logs", "no-such-job"]) == 2
    assert "no local log for job 'no-such-job'" in capsys.readouterr().err


def test_follow_prints_lines_appended_while_the_run_goes_on(tmp_path):
    from io import StringIO

    from sagemaker_sfn.report.logs import print_local

    log = tmp_path / "run" / "jobs" / "j" / "logs.txt"
    log.parent.mkdir(parents=True)
    log.write_text("one\n")
    out = StringIO()
    polls = []

    def sleep(_seconds):       # the job writes a line, then the run ends
        polls.append(1)
        if len(polls) == 1:
            with log.open("a") as handle:
                handle.write("two\n")
        else:
            (tmp_path / "run" / "history.json").write_text("[]")

    print_local(log, out=out, follow=True, sleep=sleep)
    assert out.getvalue() == "one\ntwo\n" and len(polls) == 2


DEFINITION = {
    "StartAt": "Train",
    "States": {
        "Train": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "train"},
                  "Retry": [{"ErrorEquals": ["Capacity"], "IntervalSeconds": 60, "MaxAttempts": 5, "BackoffRate": 1.0}],
                  "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Notify"}],
                  "Next": "Done"},
        "Notify": {"Type": "Pass", "Next": "Failed"},
        "Failed": {"Type": "Fail", "Error": "TrainingFailed", "Cause": "see the notification"},
        "Done": {"Type": "Succeed"}}}
MOCKS = {
    "StateMachines": {"demo": {"TestCases": {"Capacity": {"Train": "CapacityThenDone"},
                                             "JobFails": {"Train": "JobFailed"}}}},
    "MockedResponses": {
        "CapacityThenDone": {"0-2": {"Throw": {"Error": "Capacity", "Cause": "limit"}},
                             "3": {"Return": {"rows": 100}}},
        "JobFailed": {"0": {"Throw": {"Error": "States.TaskFailed", "Cause": "AlgorithmError: <boom> & more"}}}}}


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "asl_templates").mkdir()
    (tmp_path / "asl_templates" / "demo.asl.json").write_text(json.dumps(DEFINITION))
    (tmp_path / "mocks.json").write_text(json.dumps(MOCKS))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SAGEMAKER_SFN_PROJECT", raising=False)
    return tmp_path


def mocked_run(name: str, case: str, capsys) -> tuple[int, str]:
    code = main(["run", "demo", "--local", "--mock-config", "mocks.json", "--test-case", case, "--name", name])
    return code, capsys.readouterr().out


def state_class(page: str, state: str) -> str:
    return re.search(rf'<g class="([^"]+)" data-state="{re.escape(state)}"', page)[1]


def test_retried_state_marked_with_its_retries(project, capsys):
    code, out = mocked_run("r1", "Capacity", capsys)
    assert code == 0 and out.rstrip().endswith("report:    .sfn-local/r1/report.html")
    page = (project / ".sfn-local" / "r1" / "report.html").read_text()
    assert "s-retried" in state_class(page, "Train") and "↻3" in page
    assert "s-succeeded" in state_class(page, "Done")
    assert "s-not-reached" in state_class(page, "Notify") and "s-not-reached" in state_class(page, "Failed")
    assert "3 retries" in page


def test_caught_error_and_failed_execution(project, capsys):
    code, _ = mocked_run("f1", "JobFails", capsys)
    assert code == 1
    page = (project / ".sfn-local" / "f1" / "report.html").read_text()
    assert "s-caught" in state_class(page, "Train")
    assert "s-failed" in state_class(page, "Failed")
    assert "s-not-reached" in state_class(page, "Done")
    assert "AlgorithmError: &lt;boom&gt; &amp; more" in page     # the cause, escaped, in the errors table
    assert '<span class="status FAILED">FAILED</span>' in page


def test_report_command_rewrites_and_writes_elsewhere(project, capsys):
    mocked_run("r2", "Capacity", capsys)
    (project / ".sfn-local" / "r2" / "report.html").unlink()
    assert main(["report", "r2"]) == 0
    assert capsys.readouterr().out.strip().endswith("r2/report.html")
    assert (project / ".sfn-local" / "r2" / "report.html").is_file()
    assert main(["report", "r2", "-o", "out/r2.html"]) == 0
    page = (project / "out" / "r2.html").read_text()
    # Links are relative to where the page is: from out/ back into the run directory.
    assert 'href="../.sfn-local/r2/history.json"' in page


def test_report_of_an_unknown_run_or_broken_history_is_a_clear_error(project, capsys):
    assert main(["report", "missing"]) == 2
    assert "no local run 'missing'" in capsys.readouterr().err
    broken = project / ".sfn-local" / "broken"
    broken.mkdir(parents=True)
    (broken / "history.json").write_text("[{")
    assert main(["report", "broken"]) == 2
    assert "history.json is not valid JSON" in capsys.readouterr().err


def test_execution_report_shows_itself_in_a_notebook_without_restyling_it(tune_run: Path):
    import html as html_module

    from sagemaker_sfn.report import ExecutionReport

    shown = ExecutionReport.load(str(tune_run))._repr_html_()
    assert shown.startswith("<iframe srcdoc=\"") and "<style>" not in shown     # styles stay inside the frame
    inner = html_module.unescape(re.search(r'srcdoc="([^"]*)"', shown)[1])
    assert inner.startswith("<!DOCTYPE html>") and 'class="sfn-graph"' in inner
