"""Members and access: members, their roles per agreement, users, tokens, posts and sensors."""

from ceasefire.areas import Area

AREA = Area(
    name="members",
    tables="ceasefire.members.tables",
    router="ceasefire.members.api:router",
    commands="ceasefire.members.commands:register",
    checker="ceasefire.members.check:CHECKER",
)
