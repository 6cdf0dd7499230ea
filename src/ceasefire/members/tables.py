"""Tables of members, their roles per agreement, users, API tokens, sign-in failures, posts
and sensors.

``member_roles.agreement_id`` deliberately has no foreign key to the agreement register: a
role may be granted before the agreement file is loaded (bootstrap order), and the agreement
register keeps versions of its own. The service checks the identifier's shape only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, UTCDateTime


class MemberRow(Base):
    __tablename__ = "members"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    iso3: Mapped[str | None] = mapped_column(String(3), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MemberRoleRow(Base):
    __tablename__ = "member_roles"
    __table_args__ = (Index("ix_member_roles_member_agreement", "member_id", "agreement_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"))
    agreement_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    party: Mapped[str | None] = mapped_column(String(3), nullable=True)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    granted_by: Mapped[str] = mapped_column(String(64))


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    operator: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The language and time zone the user chose for its pages (None: not chosen).
    lang: Mapped[str | None] = mapped_column(String(8), nullable=True)
    time_zone: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LoginFailureRow(Base):
    """Failed sign-ins per submitted user name, shared by every server process.

    Keyed by the name as typed, with no foreign key: unknown names are counted exactly like
    known ones, so the counter reveals nothing about which users exist. Bookkeeping, not a
    ledgered record.
    """

    __tablename__ = "login_failures"

    user_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ObservationPostRow(Base):
    __tablename__ = "observation_posts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    location_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    active_from: Mapped[datetime] = mapped_column(UTCDateTime())
    active_to: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    independent: Mapped[bool] = mapped_column(Boolean, default=False)
    classification: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PostOwnerRow(Base):
    __tablename__ = "post_owners"

    post_id: Mapped[str] = mapped_column(ForeignKey("observation_posts.id"), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class SensorRow(Base):
    __tablename__ = "sensors"
    __table_args__ = (
        CheckConstraint(
            "(post_id IS NULL) <> (member_id IS NULL)", name="attached_to_post_or_member"
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    post_id: Mapped[str | None] = mapped_column(
        ForeignKey("observation_posts.id"), nullable=True, index=True
    )
    member_id: Mapped[str | None] = mapped_column(
        ForeignKey("members.id"), nullable=True, index=True
    )
    classification: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
