package lab.consul.discovery;

/**
 * What the heartbeat reports to Consul's TTL check.
 *
 * @param state passing, warning or critical
 * @param note  why, shown as the check's output in Consul
 */
public record TtlStatus(State state, String note) {

    /** All is well. */
    public static final TtlStatus PASSING = new TtlStatus(State.PASSING, "ok");

    /**
     * A warning: the instance still takes traffic from clients that accept warnings, not from ours.
     *
     * @param note why
     * @return status
     */
    public static TtlStatus warning(String note) {
        return new TtlStatus(State.WARNING, note);
    }

    /**
     * Critical: out of rotation.
     *
     * @param note why
     * @return status
     */
    public static TtlStatus critical(String note) {
        return new TtlStatus(State.CRITICAL, note);
    }

    /** Consul's three check states. */
    public enum State {
        /** passing */
        PASSING("passing"),
        /** warning */
        WARNING("warning"),
        /** critical */
        CRITICAL("critical");

        private final String consulName;

        State(String consulName) {
            this.consulName = consulName;
        }

        /**
         * The state as Consul's API names it.
         *
         * @return e.g. {@code passing}
         */
        public String consulName() {
            return consulName;
        }
    }
}
