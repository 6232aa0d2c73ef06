"""The experiment YAML: data sources (`sources`), the phase models (`phases`), the experiment and its
hyperparameters (`experiment`), and reading plus validation (`loading`)."""
