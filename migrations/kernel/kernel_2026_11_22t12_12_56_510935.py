from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-22T12:12:56:510935"
VERSION = "1.38.0"
DESCRIPTION = "response cache tags"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="kernel", description=DESCRIPTION)

    manager.add_table(
        class_name="CacheTag",
        tablename="kernel_cache_tag",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="CacheTag",
        tablename="kernel_cache_tag",
        column_name="tag",
        db_column_name="tag",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 200,
            "default": "",
            "null": False,
            "primary_key": True,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="CacheTag",
        tablename="kernel_cache_tag",
        column_name="version",
        db_column_name="version",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
