// The module's exports; their table is abi.table.json (test/abi checks the built module against it).
export {
  configure, configure_udp, configure_pool, init, select_services, mdns_set_name, memory_used, settled, address, prefix_len, use_checksum_import, rx_buffer, rx_buffer_size, frame_received, poll, io_buffer, io_buffer_size, set_msl, set_ecn,
  sock_listen, sock_accept, sock_connect, sock_send, sock_recv, sock_shutdown, sock_close,
  sock_abort, sock_state, sock_remote_ip, sock_remote_port, sock_local_port, sock_send_space, sock_recv_avail, sock_keepalive, sock_user_timeout, sock_nodelay, sock_close_all, stats_text, conns_text, version_text,
  udp_bind, udp_sendto, udp_recvfrom, udp_from_ip, udp_from_port, udp_local_port, udp_close,
  resolve, resolve_result, resolve_address, dns_servers, dns_server, set_engine,
} from "./abi";
