"""The Hat game bot: a word-association model trained on 20 Newsgroups only."""
