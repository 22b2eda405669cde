"""A deterministic text phone (Notes, Contacts, Calendar), its agent tasks and the phone agent."""
