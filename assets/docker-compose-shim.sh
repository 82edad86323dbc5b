#!/bin/sh
# Written by create-litestream-host: Docker Compose v2 behind the v1 command name.
exec docker compose --compatibility "$@"
