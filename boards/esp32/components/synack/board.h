#ifndef SYNACK_BOARD_H
#define SYNACK_BOARD_H
int board_spi_init(void);
#endif
