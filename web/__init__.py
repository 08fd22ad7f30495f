"""UI and API: the Gradio chat (and staff eval tab), the JSON API, rate limiting, feedback.

``app.create_app(settings)`` builds one FastAPI app with everything mounted; the pipeline and
chain are built once per process and shared by the UI and the API.
"""
