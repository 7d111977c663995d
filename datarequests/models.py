"""Data and report requests: items asked, frequency, channel and deadline.

The models arrive with the records issue; the app is registered now so that its
place in the layout, its migrations folder and its translations are ready.
"""
