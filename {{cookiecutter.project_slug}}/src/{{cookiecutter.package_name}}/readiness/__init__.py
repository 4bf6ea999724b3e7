"""Before deploy: the key and the account (doctor, preflight), and setting the repository up on GitHub."""
