"""The official forms of the Committee on Legal Statistics (СНГ-1, 1-М) as reference figures by region."""
