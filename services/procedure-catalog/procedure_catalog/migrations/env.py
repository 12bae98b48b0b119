from motcua_kit.migrations import run_env
from procedure_catalog.models import SEARCH_INDEX_NAMES, Base

run_env(Base.metadata, unmanaged=SEARCH_INDEX_NAMES)
