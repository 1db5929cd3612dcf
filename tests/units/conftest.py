"""Units tests share the incidents fixtures: the seeded Aksai model, the mounted domains, flows by hand."""

from tests.incidents.conftest import (  # noqa: F401
    aksai_data,
    db_url,
    mounted,
    run_flows,
    seeded_pg_template,
    seeded_sqlite_template,
)
