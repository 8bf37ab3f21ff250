"""Import of the Online Retail data set (and files in its format) into the shop.

`source` reads, validates and cleans a file into an `ImportPlan` without touching
the database; `loader` writes a plan in one transaction. Keeping them apart lets
a bad file fail before anything is written.
"""
