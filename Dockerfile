# The contract service alone (no Qt, no input or screen libraries): one worker per container.
# For operators; not tested (the tests' machines have no Docker). See docs/deploy.md.
FROM python:3.11-slim
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir '.[service]' && rm -rf /src \
    && useradd --system --no-create-home workdiary
WORKDIR /
USER workdiary
EXPOSE 8765
# Behind the compose file's nginx on the container network: believe its X-Forwarded-For alone.
ENV FORWARDED_ALLOW_IPS=172.16.0.0/12
CMD ["sh", "-c", "exec workdiary-service serve --host 0.0.0.0 --port 8765 --forwarded-allow-ips \"$FORWARDED_ALLOW_IPS\""]
