"""Members and access: members, their roles per agreement, users, tokens, posts and sensors."""

from ceasefire.areas import Area

AREA = Area.conventional(__name__, payload_rule=True)
