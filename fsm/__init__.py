"""Conversation states, the ordered step table and the FSM storage on our database."""
