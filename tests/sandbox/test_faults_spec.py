"""The fault SPEC (`throttle=0.3,error=0.05,seed=7`) and the fate each eligible call draws."""

from __future__ import annotations

import pytest

from orchestrator.errors import ExitCode
from orchestrator.sandbox.errors import SandboxUsageError
from orchestrator.sandbox.faults.spec import Fault, FaultDice, FaultSpec, parse_faults

HINT = "; write them as throttle=F,error=F,seed=N, e.g. throttle=0.3,error=0.05,seed=7"


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("throttle=0.3,error=0.05,seed=7", FaultSpec(throttle=0.3, error=0.05, seed=7)),
        ("error=1", FaultSpec(error=1.0)),
        (" seed = 3 , throttle = 0.5 ", FaultSpec(throttle=0.5, seed=3)),
        ("throttle=0.6,error=0.4", FaultSpec(throttle=0.6, error=0.4)),
        ("", FaultSpec()),
    ],
)
def test_a_good_spec_is_parsed(text: str, spec: FaultSpec) -> None:
    assert parse_faults(text) == spec


def test_the_text_of_a_spec_parses_back_to_it() -> None:
    spec = FaultSpec(throttle=0.3, error=0.05, seed=7)

    assert spec.text == "throttle=0.3,error=0.05,seed=7"
    assert parse_faults(spec.text) == spec


def test_a_spec_that_never_faults_has_no_text() -> None:
    assert (FaultSpec().text, FaultSpec(seed=9).text) == ("", "")
    assert FaultSpec(error=0.1).text == "throttle=0,error=0.1,seed=0"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("nonsense", "'nonsense' is not key=value"),
        ("throttle=0.3,,seed=1", "'' is not key=value"),
        ("slow=0.3", "unknown key 'slow' (known: throttle, error, seed)"),
        ("throttle=lots", "throttle must be a number, not 'lots'"),
        ("seed=1.5", "seed must be an integer, not '1.5'"),
        ("throttle=1.5", "throttle must be a fraction in [0, 1], not 1.5"),
        ("error=-0.1", "error must be a fraction in [0, 1], not -0.1"),
        ("error=nan", "error must be a fraction in [0, 1], not nan"),
        ("throttle=0.7,error=0.4", "throttle + error must be at most 1, not 1.1"),
        ("throttle=0.1,throttle=0.2", "throttle is given twice"),
    ],
)
def test_a_bad_spec_is_one_usage_line(text: str, reason: str) -> None:
    with pytest.raises(SandboxUsageError) as raised:
        parse_faults(text)

    assert raised.value.exit_code == ExitCode.USAGE
    assert raised.value.message == (
        f"invalid sandbox faults {text!r} (--faults or FIREFLY_SANDBOX_FAULTS): {reason}{HINT}"
    )


def fates(spec: FaultSpec, calls: int) -> list[Fault | None]:
    dice = FaultDice(spec)
    return [dice.roll() for _ in range(calls)]


def test_the_same_seed_gives_the_same_fates() -> None:
    spec = FaultSpec(throttle=0.3, error=0.2, seed=7)

    assert fates(spec, 200) == fates(spec, 200)
    assert fates(spec, 200) != fates(FaultSpec(throttle=0.3, error=0.2, seed=8), 200)


def test_the_fractions_say_how_many_calls_fail_and_how() -> None:
    drawn = fates(FaultSpec(throttle=0.3, error=0.2, seed=7), 2000)

    assert 500 < drawn.count(Fault.THROTTLE) < 700
    assert 300 < drawn.count(Fault.ERROR) < 500
    assert fates(FaultSpec(throttle=1.0), 50) == [Fault.THROTTLE] * 50
    assert fates(FaultSpec(error=1.0), 50) == [Fault.ERROR] * 50
    assert fates(FaultSpec(), 50) == [None] * 50


def test_the_dice_count_every_roll() -> None:
    dice = FaultDice(FaultSpec(throttle=0.3, error=0.2, seed=7))
    drawn = [dice.roll() for _ in range(100)]

    assert dice.counts() == {
        "eligible": 100,
        "throttled": drawn.count(Fault.THROTTLE),
        "failed": drawn.count(Fault.ERROR),
    }
