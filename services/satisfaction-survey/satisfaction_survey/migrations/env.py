from motcua_kit.migrations import run_env
from satisfaction_survey.models import Base

run_env(Base.metadata)
