"""The password-complexity model: how often a password occurs per million leaked passwords."""
