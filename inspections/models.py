"""Inspections, evaluations and checks the unit had to prepare for.

The models arrive with the records issue; the app is registered now so that its
place in the layout, its migrations folder and its translations are ready.
"""
