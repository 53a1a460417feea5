package lab.runtime;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webclient.api.ClientResponseTyped;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.helidon.webserver.testing.junit5.SetUpServer;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

@ServerTest
class JsonErrorsTest {

    private final Http1Client client;

    JsonErrorsTest(Http1Client client) {
        this.client = client;
    }

    @SetUpServer
    static void server(WebServerConfig.Builder server) {
        server.directHandlers(JsonErrors.directHandlers());
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        JsonErrors.install(routing
                                   .get("/ok", (req, res) -> res.send("fine"))
                                   .post("/typed", (req, res) -> res.send(req.headers().contentType()
                                                                                 .map(Object::toString).orElse("none")))
                                   .get("/boom", (req, res) -> {
                                       throw new IllegalStateException("secret internals");
                                   }));
        // like /observe/health: a feature's routes must not be shadowed by the 404
        routing.addFeature(() -> rules -> rules.get("/feature", (req, res) -> res.send("from a feature")));
    }

    @Test
    void unexpectedExceptionIsAJson500WithoutInternals() {
        ClientResponseTyped<String> response = client.get("/boom").request(String.class);
        assertThat(response.status(), is(Status.INTERNAL_SERVER_ERROR_500));
        assertThat(response.entity(), is("{\"error\":\"internal error\"}"));
        assertThat(response.entity(), not(containsString("secret")));
    }

    @Test
    void unknownPathsAndMethodsAreJson404s() {
        ClientResponseTyped<String> path = client.get("/nope").request(String.class);
        assertThat(path.status(), is(Status.NOT_FOUND_404));
        assertThat(path.entity(), containsString("\"error\":\"no such resource: GET /nope\""));
        ClientResponseTyped<String> method = client.method(Method.DELETE).path("/ok").request(String.class);
        assertThat(method.status(), is(Status.NOT_FOUND_404));
        assertThat(method.entity(), containsString("\"error\""));
        assertThat(client.get("/ok").requestEntity(String.class), is("fine"));
        assertThat(client.get("/feature").requestEntity(String.class), is("from a feature"));
    }

    @Test
    void helidonsOwnBadRequestInAHandlerStaysA400() {
        // no entity: the client would parse the Content-Type itself to pick a writer
        ClientResponseTyped<String> response = client.post("/typed")
                .header(HeaderNames.CONTENT_TYPE, ";;;")
                .request(String.class);
        assertThat(response.status(), is(Status.BAD_REQUEST_400));
        assertThat(response.headers().contentType().orElseThrow().mediaType().text(), is("application/json"));
        assertThat(response.entity(), is("{\"error\":\"Invalid content type\"}"));
    }

    @Test
    void requestsRejectedBeforeRoutingGetJsonErrorsToo() {
        ClientResponseTyped<String> longUri = client.get("/" + "a".repeat(10_000)).request(String.class);
        assertThat(longUri.status(), is(Status.REQUEST_URI_TOO_LONG_414));
        assertThat(longUri.headers().contentType().orElseThrow().mediaType().text(), is("application/json"));
        assertThat(longUri.entity(), containsString("\"error\":"));
    }
}
