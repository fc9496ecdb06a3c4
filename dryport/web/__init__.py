"""Server-rendered pages, one blueprint per area."""

from flask import Flask


def register_web(app: Flask) -> None:
    from dryport import labels
    from dryport.web import (
        account,
        address_book,
        admin,
        auth,
        booking_import,
        booking_templates,
        bookings,
        corridors,
        customs,
        docs,
        documents,
        health,
        main,
        operations,
        public,
        reports,
        schedules,
        statements,
        station,
        tracking,
    )

    labels.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(main.bp)
    app.register_blueprint(booking_import.bp)
    app.register_blueprint(bookings.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(station.bp)
    app.register_blueprint(operations.bp)
    app.register_blueprint(customs.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(tracking.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(statements.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(corridors.bp)
    app.register_blueprint(schedules.bp)
    app.register_blueprint(booking_templates.bp)
    app.register_blueprint(address_book.bp)
