"""After deploy: what runs on each slot compared with git (status), Numerai's rounds, and runs."""
