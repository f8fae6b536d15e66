"""stacks.config: the app's settings from CDK context."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest

from sagemaker_sfn.errors import UsageError
from stacks.config import AppConfig, read_config


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "pipelines").mkdir()
    for name in ("b-pipe", "a-pipe", "c-pipe"):
        (tmp_path / "pipelines" / f"{name}.yaml").write_text("name: x\n")
    return tmp_path


def config(root: Path, **context: object) -> AppConfig:
    return read_config(cdk.App(context=context).node, root=root)


def test_defaults_deploy_every_pipeline_without_schedule_or_email(root: Path) -> None:
    assert config(root) == AppConfig(pipelines=tuple(root / "pipelines" / f"{n}.yaml" for n in ("a-pipe", "b-pipe", "c-pipe")))
    assert config(root, pipelines="all", retrainingSchedule="", notificationEmail="") == config(root)


@pytest.mark.parametrize("value", ["c-pipe,a-pipe", '["c-pipe", "a-pipe"]', ["c-pipe", "a-pipe"]])
def test_pipelines_as_comma_list_json_or_list(root: Path, value: object) -> None:
    assert config(root, pipelines=value).pipelines == (root / "pipelines" / "c-pipe.yaml", root / "pipelines" / "a-pipe.yaml")


def test_schedule_email_and_prefixes(root: Path) -> None:
    got = config(root, retrainingSchedule="cron(0 3 ? * MON *)", notificationEmail="me@example.com",
                 resourcePrefix="team-ml", stackPrefix="TeamMl")
    assert (got.retraining_schedule, got.notification_email, got.resource_prefix, got.stack_prefix) == (
        "cron(0 3 ? * MON *)", "me@example.com", "team-ml", "TeamMl")


def test_fails_on_an_unknown_pipeline(root: Path) -> None:
    with pytest.raises(UsageError, match=r"context 'pipelines' names unknown pipeline\(s\) nope; available under "
                                         r".*pipelines: a-pipe, b-pipe, c-pipe"):
        config(root, pipelines="a-pipe,nope")


def test_fails_on_a_non_string_setting(root: Path) -> None:
    with pytest.raises(UsageError, match="context 'notificationEmail' must be a string, got 42"):
        config(root, notificationEmail=42)


def test_fails_on_a_malformed_pipelines_value(root: Path) -> None:
    with pytest.raises(UsageError, match="context 'pipelines' must be \"all\" or a list of pipeline names, got 3"):
        config(root, pipelines=3)


@pytest.mark.parametrize("prefix", ["Sage_Maker", "1abc", "a" * 41])
def test_fails_stack_prefix_that_cloudformation_rejects(root: Path, prefix: str) -> None:
    # CloudFormation stack names: a letter, then letters, digits and hyphens (issue 10 item 5).
    with pytest.raises(UsageError, match=r"context 'stackPrefix' .*expected 1-40 letters, digits or '-'"):
        config(root, stackPrefix=prefix)


@pytest.mark.parametrize(("value", "expected"), [
    (None, ()), ("all", ("*",)), ("a-models,b-models", ("a-models", "b-models")), (["a-models"], ("a-models",)),
    ('["x"]', ("x",)),
])
def test_existing_model_package_groups(root: Path, value: object, expected: tuple[str, ...]) -> None:
    context = {} if value is None else {"existingModelPackageGroups": value}
    assert config(root, **context).existing_model_package_groups == expected


def test_fails_existing_model_package_groups_of_the_wrong_type(root: Path) -> None:
    with pytest.raises(UsageError, match=r"context 'existingModelPackageGroups' must be \"all\" or a list"):
        config(root, existingModelPackageGroups=[1, 2])
