"""The build step: train a slot's model, wrap it, cloudpickle it, and write the pickle and its manifest."""
