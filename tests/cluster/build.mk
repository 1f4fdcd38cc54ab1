# tests/cluster: several ctid hosts as one call center on Redis (server/ctid/cluster.c, cluster.lua).
#   test_cluster_lua.sh  cluster.lua on a real redis-server: selection (longest idle, best skill,
#                        levels, priority, VIP), no answer, abandon, wrap-up, overflow, leases,
#                        restarts, ownership, republishing, 3 clients racing for 40 agents
#   test_cluster_equiv.sh  random scenarios through the embedded ACD and through two cluster hosts
#                        on Redis (test_cluster_equiv): every delivery and the counters the same
#   test_cluster.sh      three ctid processes on the emulated board in real time, one redis-server
#                        and one PostgreSQL CDR store: longest idle across hosts, kill -9 of a host
#                        mid-call, its rejoin, a redis-server restart mid-call
#   bench_cluster.sh     make bench: Redis operations per call, calls/s of the ACD across 3 hosts
#                        (bench_cluster), Redis CPU per call
SCRIPT_TESTS += tests/cluster/test_cluster_lua.sh tests/cluster/test_cluster_equiv.sh tests/cluster/test_cluster.sh
SAN_SCRIPT_TESTS += tests/cluster/test_cluster_equiv.sh tests/cluster/test_cluster.sh

$(B)/tests/cluster/test_cluster_equiv: $(B)/tests/cluster/test_cluster_equiv.o $(CTID_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTID_LIB) $(CTID_LIBS)
$(B)/tests/cluster/test_cluster_equiv.o: CPPFLAGS += -Iserver/ctid
$(B)/tests/cluster/test_cluster_equiv.o: server/ctid/acd.h server/ctid/cluster.h server/ctid/config.h
ALL_TARGETS += $(B)/tests/cluster/test_cluster_equiv

$(B)/tests/cluster/bench_cluster: $(B)/tests/cluster/bench_cluster.o $(CTID_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTID_LIB) $(CTID_LIBS)
$(B)/tests/cluster/bench_cluster.o: CPPFLAGS += -Iserver/ctid
$(B)/tests/cluster/bench_cluster.o: server/ctid/acd.h server/ctid/cluster.h server/ctid/config.h
ALL_TARGETS += $(B)/tests/cluster/bench_cluster
BENCHES += tests/cluster/bench_cluster.sh
