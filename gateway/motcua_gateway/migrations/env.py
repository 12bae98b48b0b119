from motcua_gateway.models import Base
from motcua_kit.migrations import run_env

run_env(Base.metadata)
