from witness import create_app

app = create_app()
