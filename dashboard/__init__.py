"""The dyadsim dashboard (Plotly Dash): watch one couple, sweep two parameters, teach.

Build the app with :func:`dashboard.app.create_app`; ``dyadsim dashboard`` serves it.
"""
