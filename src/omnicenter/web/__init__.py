"""Browser front ends: agent desktop (/), supervisor wallboard, chat widget (/widget)."""
