from motcua_kit.db import Database


async def seed_demo(database: Database) -> str:
    return "todo"
