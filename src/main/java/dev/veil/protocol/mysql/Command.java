package dev.veil.protocol.mysql;

/** First byte of a command-phase packet from the client (dev.mysql.com "Text Protocol" / "Prepared Statements"). */
public final class Command {
    public static final int COM_SLEEP = 0x00;
    public static final int COM_QUIT = 0x01;
    public static final int COM_INIT_DB = 0x02;
    public static final int COM_QUERY = 0x03;
    public static final int COM_FIELD_LIST = 0x04;
    public static final int COM_CREATE_DB = 0x05;
    public static final int COM_DROP_DB = 0x06;
    public static final int COM_REFRESH = 0x07;
    public static final int COM_SHUTDOWN = 0x08;
    public static final int COM_STATISTICS = 0x09;
    public static final int COM_PROCESS_INFO = 0x0A;
    public static final int COM_CONNECT = 0x0B;
    public static final int COM_PROCESS_KILL = 0x0C;
    public static final int COM_DEBUG = 0x0D;
    public static final int COM_PING = 0x0E;
    public static final int COM_CHANGE_USER = 0x11;
    public static final int COM_BINLOG_DUMP = 0x12;
    public static final int COM_STMT_PREPARE = 0x16;
    public static final int COM_STMT_EXECUTE = 0x17;
    public static final int COM_STMT_SEND_LONG_DATA = 0x18;
    public static final int COM_STMT_CLOSE = 0x19;
    public static final int COM_STMT_RESET = 0x1A;
    public static final int COM_SET_OPTION = 0x1B;
    public static final int COM_STMT_FETCH = 0x1C;
    public static final int COM_RESET_CONNECTION = 0x1F;

    public static String name(int code) {
        return switch (code) {
            case COM_SLEEP -> "COM_SLEEP";
            case COM_QUIT -> "COM_QUIT";
            case COM_INIT_DB -> "COM_INIT_DB";
            case COM_QUERY -> "COM_QUERY";
            case COM_FIELD_LIST -> "COM_FIELD_LIST";
            case COM_CREATE_DB -> "COM_CREATE_DB";
            case COM_DROP_DB -> "COM_DROP_DB";
            case COM_REFRESH -> "COM_REFRESH";
            case COM_SHUTDOWN -> "COM_SHUTDOWN";
            case COM_STATISTICS -> "COM_STATISTICS";
            case COM_PROCESS_INFO -> "COM_PROCESS_INFO";
            case COM_CONNECT -> "COM_CONNECT";
            case COM_PROCESS_KILL -> "COM_PROCESS_KILL";
            case COM_DEBUG -> "COM_DEBUG";
            case COM_PING -> "COM_PING";
            case COM_CHANGE_USER -> "COM_CHANGE_USER";
            case COM_BINLOG_DUMP -> "COM_BINLOG_DUMP";
            case COM_STMT_PREPARE -> "COM_STMT_PREPARE";
            case COM_STMT_EXECUTE -> "COM_STMT_EXECUTE";
            case COM_STMT_SEND_LONG_DATA -> "COM_STMT_SEND_LONG_DATA";
            case COM_STMT_CLOSE -> "COM_STMT_CLOSE";
            case COM_STMT_RESET -> "COM_STMT_RESET";
            case COM_SET_OPTION -> "COM_SET_OPTION";
            case COM_STMT_FETCH -> "COM_STMT_FETCH";
            case COM_RESET_CONNECTION -> "COM_RESET_CONNECTION";
            default -> String.format("command 0x%02x", code);
        };
    }

    private Command() {
    }
}
