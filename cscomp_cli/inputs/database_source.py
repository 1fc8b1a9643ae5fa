"""A data map table read from a SQL database: the map's `source: {url: ..., query: ...}` key, spelled so that
no secret sits in the map (a url with a password is refused; url_env names an environment variable instead).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# A password written in a url (user:secret@host, ?password=secret) would sit in a file people share and
# commit; the map names where the secret is kept instead (libpq's PGPASSWORD or ~/.pgpass, url_env).
_URL_PASSWORD = re.compile(r"^[^:/?#]*://[^/?#@]*:[^/?#@]+@|[?&][a-z_]*(?:password|pwd|passwd)=[^&]", re.IGNORECASE)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The keys that say how a file is written: a query's result has none of them.
FILE_KEYS = ("format", "sheet", "header_row", "delimiter", "encoding")


class Query(BaseModel):
    """A SQL database a table is read from: where it is, and the one SELECT whose columns are the export's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str | None = Field(None, description="the database as a SQLAlchemy url without a password, e.g. "
                            "postgresql+psycopg://reader@db.example.com/revops or sqlite:///warehouse.db (a file in "
                            "the data folder); PostgreSQL reads the password from PGPASSWORD or ~/.pgpass")
    url_env: str | None = Field(None, description="the name of an environment variable holding the url (it may "
                                "carry a password, which cscomp never shows)")
    query: str = Field(description="one SELECT (or WITH ... SELECT) statement; its result's column names are the "
                       "headers the table's columns: name")
    timeout: int = Field(300, ge=1, le=86_400, description="seconds the database may spend on the query")

    @field_validator("url")
    @classmethod
    def _no_password(cls, value):
        if value is not None and _URL_PASSWORD.search(value):
            # The url itself is never repeated: it holds the secret.
            raise ValueError("the url holds a password, which must not be written in the map: set PGPASSWORD or "
                             "~/.pgpass (PostgreSQL), or put the whole url in an environment variable and name it "
                             "with url_env")
        return value

    @field_validator("url_env")
    @classmethod
    def _env_name(cls, value):
        if value is not None and not _ENV_NAME.fullmatch(value):
            raise ValueError("url_env names an environment variable (letters, digits and _), e.g. REVOPS_DB_URL")
        return value

    @field_validator("query")
    @classmethod
    def _some_query(cls, value):
        if not value.strip():
            raise ValueError("write the SELECT statement the table is read with")
        return value

    @model_validator(mode="after")
    def _one_place(self):
        if (self.url is None) == (self.url_env is None):
            raise ValueError("say where the database is with exactly one of url or url_env")
        return self
