/* An example C service on synack.h (example_service.c): TCP 7000 upper-case echo, UDP 7001. */
#ifndef EXAMPLE_SERVICE_H
#define EXAMPLE_SERVICE_H
int example_service_start(void); /* after fw_start(); 0 or a negative SYNACK_E* */
void example_service_poll(void);  /* after every fw_step() */
#endif
