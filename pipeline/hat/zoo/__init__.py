"""The opponent zoo: Hat bots built the way other people build theirs, to play ours against.

Our simulator used to meet only opponents built in-house, with the player tuned in their view,
and that overstated how well it plays with strangers. Each recipe here re-creates one way a course
student builds a bot from 20 Newsgroups (their preprocessing, their library, their player code)
with its own seed. Recipes are grouped in families (fastText skip-gram of dim 5 and of dim 10 are
one family); params.yaml (``hat.zoo``) lists the recipes and which families may be looked at while
tuning our player and which are held out from tuning, to measure it with kinds of bots it was never
tuned for. Trained bots are cached by corpus checksum and recipe (:mod:`.cache`).

Training side only: the service never imports this package (gensim, fastText, scikit-learn).
"""
