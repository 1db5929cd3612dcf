"""`qorgau units seed-aksai`: the demo's units, once."""

from qorgau.settings import Settings
from tests.server import cli_env, run_cli


def test_seed_aksai_creates_the_units_once(settings: Settings) -> None:
    env = cli_env(settings.data_dir, settings.effective_database_url)
    first = run_cli(env, "units", "seed-aksai")
    assert first.returncode == 0, first.stderr
    created = int(first.stdout.split(":")[1].split()[0])
    assert created > 0
    again = run_cli(env, "units", "seed-aksai")
    assert again.returncode == 0 and "0 created" in again.stdout
