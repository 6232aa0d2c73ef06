"""The experiment report: the numbers (`aggregate`), markdown and files (`render`), charts (`charts`)."""
