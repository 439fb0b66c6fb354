"""The registry workflow: stable entity keys, version diffs, upload review, manual fixes."""
