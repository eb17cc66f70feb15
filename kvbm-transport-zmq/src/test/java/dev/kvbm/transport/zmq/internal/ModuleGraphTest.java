package dev.kvbm.transport.zmq.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A transport depends on the SPI only: never on kvbm-core, whose cluster logic runs over it. */
class ModuleGraphTest {

    @Test
    void theTransportRequiresTheApiZeroMqAndItsCodecLibrariesOnly() {
        ModuleDescriptor d = ZmqTransportProvider.class.getModule().getDescriptor();
        assertNotNull(d, "the tests run on the module path");
        Set<String> requires = d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
        // Jackson for Dynamo's JSON payloads, msgpack for vLLM's KV events: never kvbm-core.
        assertEquals(Set.of("java.base", "dev.kvbm.api", "org.zeromq.jeromq", "jnacl", "com.fasterxml.jackson.core",
                "msgpack.core"), requires);
        assertEquals(Set.of("dev.kvbm.transport.zmq"), d.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet()), "sockets and codecs stay internal");
    }
}
