def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs the Schematron validators (seconds, a subprocess)")
