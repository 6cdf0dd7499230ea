"""What every area's commands share: the service context, common options, output.

The root command (``ceasefire.cli``) adds each area's commands through the area registry.
"""
