"""Units tests share the incidents fixtures: the seeded Aksai model, the mounted domains, flows by hand."""

from tests.city.conftest import aksai_data, seeded_pg_template, seeded_sqlite_template  # noqa: F401
from tests.incidents.conftest import db_url, mounted, run_flows  # noqa: F401
