"""Staff lent out to task forces and upper units, with their terms and extensions.

The models arrive with the records issue; the app is registered now so that its
place in the layout, its migrations folder and its translations are ready.
"""
