from motcua_kit.migrations import run_env
from procedure_catalog.models import Base

run_env(Base.metadata)
